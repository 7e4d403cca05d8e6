import os
import time

from flask import Flask, jsonify

app = Flask(__name__)
STARTED = time.time()


@app.get("/")
def index():
    return jsonify(app="flask-faults", pid=os.getpid(), started=STARTED)


@app.get("/healthz")
def healthz():
    return jsonify(ok=True)


@app.get("/boom")
def boom():
    # A setting the deployment forgot: every request to this path is a 500.
    return jsonify(value=os.environ["MISSING_SETTING"])
