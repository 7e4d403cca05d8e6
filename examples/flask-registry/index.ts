import * as pulumi from "@pulumi/pulumi";
import { PythonApp } from "pulumi-python-app";

// Pushed to a registry with credentials, with a registry build cache at
// <server>/<repository>:buildcache, so a CI runner with an empty builder
// imports the dependency layers instead of reinstalling them.
const config = new pulumi.Config();
const app = new PythonApp("flask", {
    source: "../flask-local/app",
    healthCheckPath: "/healthz",
    registry: {
        server: config.require("registry"), // e.g. 127.0.0.1:5000
        repository: "examples/flask",
        username: config.require("registryUser"),
        password: config.requireSecret("registryPassword"),
    },
    tags: [config.get("tag") ?? "latest"],
    baseImage: config.get("baseImage"),
    builder: config.get("builder"),
    caBundle: config.get("caBundle"),
    hostPort: config.getNumber("hostPort") ?? 8001,
});

export const url = app.url;
export const image = app.imageRef; // <registry>/examples/flask:<tag>@sha256:...
