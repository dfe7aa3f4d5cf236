// @longshort/attention — see the package README.
