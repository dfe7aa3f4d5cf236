// @longshort/vision — see the package README.
