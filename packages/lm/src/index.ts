// @longshort/lm — see the package README.
