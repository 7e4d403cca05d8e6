export { synthesize, Synthesized } from "./synthesize";
export { Plan, SynthesizeOptions } from "./plan/plan";
export { BASE_IMAGES, BaseImageRow, DEFAULT_PYTHON, SUPPORTED_PYTHONS } from "./plan/base-images";
export { NATIVE_PACKAGES } from "./plan/native-packages";
export { DEFAULTS } from "./plan/defaults";
export { InputError } from "./errors";
export { Installer } from "./detect/dependencies";
export { PythonImage, PythonImageArgs, RegistryArgs } from "./resources/python-image";
export { PythonApp, PythonAppArgs, RestartPolicy } from "./resources/python-app";
