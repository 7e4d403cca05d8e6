"""A small Flask service: a JSON endpoint and an I/O-like endpoint."""
import os
import time

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="flask-local", pid=os.getpid(), uid=os.getuid())


@app.get("/healthz")
def healthz():
    return jsonify(ok=True)


@app.get("/sleep")
def sleep():
    time.sleep(0.02)
    return jsonify(slept_ms=20)
