"""The payer standards: HL7 Da Vinci CRD over CDS Hooks, DTR questionnaires and PAS prior
authorization, answered by the same engine and packs as every other shell.

`fhir` reads and writes FHIR R4 resources (through fhir.resources' R4B models), `clinical` holds
what one request told us, `mapping` turns it into dermcover cases, `payers` picks a pack for a
coverage, `coverage_info` writes the engine's answer as CRD's coverage-information extension.
The three standards each have a package: `cds_hooks`, `dtr`, `pas`.
"""
