"""Codes: ICD-10-CM diagnoses, the CPT/HCPCS codes this domain uses, and the checks on both."""
