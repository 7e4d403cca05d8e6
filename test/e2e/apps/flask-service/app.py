import hashlib
import os
import socket

from flask import Flask, jsonify

# The PythonService e2e rewrites this line to roll out a new version.
VERSION = "v1"

app = Flask(__name__)


@app.get("/")
def index():
    secret = os.environ.get("APP_SECRET")
    return jsonify(
        app="flask-service",
        version=VERSION,
        host=socket.gethostname(),
        # A digest, not the value: the test compares it with the secret it set.
        secret_sha256=hashlib.sha256(secret.encode()).hexdigest() if secret is not None else None,
    )


@app.get("/healthz")
def healthz():
    # The e2e's failing update sets HEALTH=fail: the new tasks never become healthy.
    if os.environ.get("HEALTH") == "fail":
        return jsonify(ok=False), 500
    return jsonify(ok=True)
