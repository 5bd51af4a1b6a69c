"""Stack files as the Pulumi CLI reads them: `Pulumi.yaml` defaults, `Pulumi.<stack>.yaml`, YAML read
as plain JSON data with lines and key paths, and an ESC `environment:` import named for what it is."""
