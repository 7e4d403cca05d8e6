import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { PythonImage } from "pulumi-python-app";

// PythonImage on its own: the digest-pinned ref feeds whatever runs images,
// here a plain docker.Container of our own (a Kubernetes Deployment, an ECS
// task definition or a Cloud Run service take `image.ref` the same way).
const config = new pulumi.Config();
const image = new PythonImage("api", {
    source: "../flask-local/app",
    registry: {
        server: config.require("registry"),
        repository: "examples/api",
        username: config.require("registryUser"),
        password: config.requireSecret("registryPassword"),
    },
    baseImage: config.get("baseImage"),
    builder: config.get("builder"),
    caBundle: config.get("caBundle"),
});

// The registry needs credentials to pull too: PythonImage hands them over (the password stays a secret).
const auth = image.pullAuth!;
const engine = new docker.Provider("engine", {
    registryAuth: [{ address: auth.address, username: auth.username, password: auth.password }],
});
const pulled = new docker.RemoteImage("api-pull", { name: image.ref, keepLocally: true }, { provider: engine });
const container = new docker.Container("api", {
    image: pulled.imageId,
    ports: [{ internal: image.plan.server.port, external: config.getNumber("hostPort") ?? 8002, ip: "127.0.0.1" }],
    user: `${image.plan.user.uid}:${image.plan.user.gid}`,
});

export const ref = image.ref;
export const dockerfile = image.dockerfile;
export const containerName = container.name;
export const framework = pulumi.output(image.plan.framework);
