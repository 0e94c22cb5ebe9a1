"""Our own Rasa components and the Rasa server's runtime configuration."""
