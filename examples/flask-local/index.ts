import * as pulumi from "@pulumi/pulumi";
import { PythonApp } from "pulumi-python-app";

// No registry: the image is built and loaded into the local Docker engine.
const config = new pulumi.Config();
const app = new PythonApp("flask", {
    source: "./app",
    healthCheckPath: "/healthz",
    hostPort: config.getNumber("hostPort") ?? 8000,
    // Optional: a mirror of the base image and a named buildx builder.
    baseImage: config.get("baseImage"),
    builder: config.get("builder"),
    caBundle: config.get("caBundle"),
    memoryMb: 256,
    cpus: 1,
});

export const url = app.url;
export const containerName = app.containerName;
export const image = app.imageRef;
export const dockerfile = app.dockerfile;
