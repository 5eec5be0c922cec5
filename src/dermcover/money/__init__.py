"""What a patient pays and how to fund it: benefits arithmetic, tax, loans and cards.

Pure functions over `Decimal`; no float anywhere. Each module is one job:

- `benefits`: one claim (session) through deductible, coinsurance or copay, out-of-pocket cap.
- `scenarios`: a course of sessions in network, out of network, self-pay and as a package.
- `coverage`: what a coverage determination means for the insured scenarios.
- `disclosure`: the Transparency in Coverage elements each insured scenario carries.
- `qualified_expense`: HSA/FSA eligibility under IRC 213(d)(9); `tax`: the tax figures.
- `loans`, `promo_cards`, `payment_plans`: the ways to pay over time.
- `cheapest`: which scenario and which way of paying costs least.
- `estimator`: the estimate request in, the estimate out.
"""
