// @longshort/webgpu — see the package README.
