"""Custom actions for the orderbot Rasa assistant (run by rasa-sdk's action server, Python 3.10)."""
