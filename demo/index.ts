import * as pulumi from "@pulumi/pulumi";
import { PythonApp } from "../lib";

// The root demo stack: the Flask example, built into and run on the local
// Docker engine (no registry). scripts/demo.sh sets the config from the
// machine's infrastructure.
const config = new pulumi.Config();
const app = new PythonApp("demo", {
    // The program runs in demo/ (Pulumi.yaml main), so paths are relative to it.
    source: "../examples/flask-local/app",
    healthCheckPath: "/healthz",
    baseImage: config.get("baseImage"),
    builder: config.get("builder"),
    // Networks that intercept TLS: a CA bundle the install steps trust.
    caBundle: config.get("caBundle"),
    hostPort: config.getNumber("hostPort") ?? 8000,
    memoryMb: 256,
    cpus: 1,
});

export const url = app.url;
export const containerName = app.containerName;
export const image = app.imageRef;
export const framework = app.plan.framework;
