"""The vault: credentials stored encrypted (envelope encryption, decision 0031)."""
