"""`make verify`: prove on the live cluster what the stack promises, claim by claim (docs/verify.md)."""
