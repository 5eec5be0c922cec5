"""Da Vinci PAS 2.2.1: prior-authorization requests (`Claim/$submit`) and inquiries
(`Claim/$inquire`), each item answered with an X12 review action."""
