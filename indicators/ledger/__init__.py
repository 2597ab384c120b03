"""The policy ledger's pure core: award rules as data, the award engine, credit-code checks."""
