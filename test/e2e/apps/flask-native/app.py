"""Flask with psycopg2, which ships no wheels: the builder compiles it against libpq."""
import os

import psycopg2
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(app="flask-native", uid=os.getuid(), gid=os.getgid(), libpq=psycopg2.__libpq_version__)


@app.get("/healthz")
def healthz():
    return jsonify(ok=True)
