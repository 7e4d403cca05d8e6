"""The CPU-bound work behind /cpu, the same in both bench apps (bench/app
and bench/app-asgi hold identical copies of this file; the bench checks):
build a document of 300 records, serialize it to JSON, parse it back and
sum and digest it, a few milliseconds of pure Python per request."""
import hashlib
import json

RECORDS = 300


def cpu_work(n=RECORDS):
    doc = {
        "items": [
            {
                "id": i,
                "name": f"item-{i}",
                "tags": [f"t{i % 7}", f"t{i % 11}"],
                "price": i * 1.25,
                "stock": {"warehouse": i % 5, "count": (i * 37) % 101},
            }
            for i in range(n)
        ]
    }
    text = json.dumps(doc, sort_keys=True)
    back = json.loads(text)
    total = sum(x["price"] * x["stock"]["count"] for x in back["items"])
    return {
        "items": len(back["items"]),
        "bytes": len(text),
        "total": round(total, 2),
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
