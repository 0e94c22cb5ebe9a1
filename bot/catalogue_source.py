"""Where the catalogue matcher's products come from: the backend's public products API (paged),
or the snapshot file written after each successful fetch."""
from __future__ import annotations

import json
import logging
import os
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

logger = logging.getLogger(__name__)

DEFAULT_BACKEND_URL = "http://127.0.0.1:8000"
PRODUCTS_PATH = "/api/v1/products"
MAX_PAGES = 200  # 20,000 products: a guard against a backend that never stops paging


class CatalogueSource:
    """Reads the catalogue from the backend (paged) or the snapshot file; writes the snapshot."""

    def __init__(self, backend_url: str, snapshot: Path, timeout: float, page_size: int) -> None:
        self.backend_url = backend_url.rstrip("/")
        self.snapshot = snapshot
        self.timeout = timeout
        self.page_size = max(1, min(100, page_size))  # the backend answers 422 above 100
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # internal

    def fetch(self) -> List[Dict[str, Any]]:
        """All active products; raises OSError or ValueError when the backend can't give them."""
        products: List[Dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            url = f"{self.backend_url}{PRODUCTS_PATH}?limit={self.page_size}&offset={len(products)}"
            request = urllib.request.Request(url, headers={"Accept": "application/json"})
            with self._opener.open(request, timeout=self.timeout) as response:
                page = json.loads(response.read().decode("utf-8"))
            data = page["data"]
            products.extend(data)
            if not data or len(products) >= int(page["count"]):
                break
        return [trim(p) for p in products if p.get("active", True)]

    def read_snapshot(self) -> Optional[List[Dict[str, Any]]]:
        try:
            payload = json.loads(self.snapshot.read_text(encoding="utf-8"))
            data = payload["data"] if isinstance(payload, dict) else payload
            return [trim(p) for p in data if p.get("active", True)]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning("Catalogue snapshot %s is unreadable: %s", self.snapshot, exc)
            return None

    def write_snapshot(self, products: List[Dict[str, Any]]) -> None:
        try:
            self.snapshot.parent.mkdir(parents=True, exist_ok=True)
            partial = self.snapshot.with_name(self.snapshot.name + ".tmp")
            partial.write_text(json.dumps({"source": self.backend_url, "count": len(products),
                                           "data": products}, indent=1, ensure_ascii=False),
                               encoding="utf-8")
            os.replace(partial, self.snapshot)
        except OSError as exc:
            logger.warning("Could not write catalogue snapshot %s: %s", self.snapshot, exc)


def trim(product: Dict[str, Any]) -> Dict[str, Any]:
    """The fields matching needs; stock and prices change too often to belong in a snapshot."""
    return {"sku": str(product["sku"]), "name": str(product["name"]),
            "category": str(product.get("category") or ""),
            "synonyms": [str(s) for s in product.get("synonyms") or []],
            "attributes": dict(product.get("attributes") or {})}
