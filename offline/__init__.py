"""Run the real program offline: stack files read as the Pulumi CLI would, the SDK's mock engine,
and a record of every registration. Used by the tests and by the plan command."""
