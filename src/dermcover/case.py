"""The case a patient, a clinic or another system hands in (spec: case-format.md).

Three-valued facts all the way through: a field that is absent or null is *unknown*; an empty list
is a known "none". Nothing here defaults an unknown to false. Unknown fields are rejected rather
than ignored, because a misspelt field would otherwise turn silently into an unknown fact.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dermcover.codes.icd10 import normalise
from dermcover.codes.npi import npi_is_valid
from dermcover.codes.procedures import kind_for_code
from dermcover.codes.treatments import class_for_treatment

MAX_PROCEDURES = 50  # procedure lines in one case
# Validation context key: a document (JSON, YAML) must give true or false for a yes/no field,
# not 0, 1 or "yes" (a form's "yes" and "no" are still read as such).
EXACT_TYPES = "exact_types"


class Contract(BaseModel):
    """Base of every model in the public contract: strict about unknown fields, and about
    numbers: `true` or `false` where a number belongs is refused, not read as 1 or 0."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_truth_value_for_a_number(cls, value: object, info: ValidationInfo) -> object:
        if value is None or not info.field_name:
            return value
        number, truth, dated = _FIELD_KINDS.get((cls, info.field_name)) or _field_kind(
            cls, info.field_name
        )
        if number and isinstance(value, bool):
            raise ValueError(f"{str(value).lower()} is not a number; give a number")
        if dated and isinstance(value, int | float) and not isinstance(value, bool):
            # pydantic would read a number as seconds since 1970 (`birth_date: 0` is 1970-01-01)
            raise ValueError(f"{value!r} is a number, not a date; give a date as YYYY-MM-DD")
        if (
            truth
            and not isinstance(value, bool)
            and isinstance(info.context, dict)
            and info.context.get(EXACT_TYPES)
        ):
            raise ValueError("give true or false")
        return value


# (model, field) -> (takes a number and not a truth value, takes only a truth value, takes a
# date): what the validator above needs of a field's annotation, worked out once per field rather
# than on every value (it runs for every field of every case, and reading the annotation cost more
# than the rest of the case's validation).
_FIELD_KINDS: dict[tuple[type, str], tuple[bool, bool, bool]] = {}


def _field_kind(model: type[BaseModel], name: str) -> tuple[bool, bool, bool]:
    """Whether the field takes a number, only a truth value, a date: worked out once a field."""
    field = model.model_fields.get(name)
    kind = (
        (False, False, False)
        if field is None
        else (
            _takes_a_number_not_a_truth_value(field.annotation),
            _takes_only_a_truth_value(field.annotation),
            _takes_a_date(field.annotation),
        )
    )
    _FIELD_KINDS[(model, name)] = kind
    return kind


def _takes_a_number_not_a_truth_value(annotation: object) -> bool:
    members = [_unannotated(m) for m in (get_args(annotation) or (annotation,))]
    if get_origin(annotation) is Annotated:
        members = [_unannotated(annotation)]
    if bool in members:
        return False
    return any(m in (int, float, Decimal) for m in members)


def _takes_a_date(annotation: object) -> bool:
    members = {_unannotated(m) for m in (get_args(annotation) or (annotation,))}
    return date in members


def _takes_only_a_truth_value(annotation: object) -> bool:
    members = {_unannotated(m) for m in (get_args(annotation) or (annotation,))}
    return members - {type(None)} == {bool}


def _unannotated(annotation: object) -> object:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


class PlanType(StrEnum):
    commercial = "commercial"
    medicare = "medicare"
    medicare_advantage = "medicare_advantage"
    medicaid = "medicaid"
    self_pay = "self_pay"


class Network(StrEnum):
    in_ = "in"
    out = "out"


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"


class ProcedureKind(StrEnum):
    microneedling = "microneedling"
    rf_microneedling = "rf_microneedling"
    microdermabrasion = "microdermabrasion"
    dermabrasion = "dermabrasion"
    lesion_abrasion = "lesion_abrasion"
    chemical_peel = "chemical_peel"
    picosecond_laser = "picosecond_laser"
    q_switched_laser = "q_switched_laser"
    fractional_ablative_laser = "fractional_ablative_laser"
    ablative_laser_resurfacing = "ablative_laser_resurfacing"
    fractional_nonablative_laser = "fractional_nonablative_laser"
    pulsed_dye_laser = "pulsed_dye_laser"
    intense_pulsed_light = "intense_pulsed_light"
    prp_injection = "prp_injection"
    prp_wound_gel = "prp_wound_gel"
    lesion_destruction = "lesion_destruction"
    photodynamic_therapy = "photodynamic_therapy"
    scar_revision = "scar_revision"
    contracture_release = "contracture_release"
    intralesional_injection = "intralesional_injection"
    acne_surgery = "acne_surgery"
    laser_hair_removal = "laser_hair_removal"
    excision = "excision"
    shave_removal = "shave_removal"
    excimer_laser = "excimer_laser"
    compression_therapy = "compression_therapy"
    radiation_therapy = "radiation_therapy"


class Site(StrEnum):
    face = "face"
    neck = "neck"
    scalp = "scalp"
    trunk = "trunk"
    arm = "arm"
    hand = "hand"
    leg = "leg"
    foot = "foot"
    genital = "genital"
    other = "other"


class Depth(StrEnum):
    epidermal = "epidermal"
    dermal = "dermal"


class ConditionKind(StrEnum):
    acne_active = "acne_active"
    acne_scars = "acne_scars"
    actinic_keratosis = "actinic_keratosis"
    basal_cell_carcinoma_superficial = "basal_cell_carcinoma_superficial"
    melasma = "melasma"
    post_inflammatory_hyperpigmentation = "post_inflammatory_hyperpigmentation"
    lentigines = "lentigines"
    photoaging = "photoaging"
    wrinkles = "wrinkles"
    burn_scar = "burn_scar"
    surgical_scar = "surgical_scar"
    traumatic_scar = "traumatic_scar"
    hypertrophic_scar = "hypertrophic_scar"
    keloid = "keloid"
    port_wine_stain = "port_wine_stain"
    hemangioma = "hemangioma"
    infantile_hemangioma = "infantile_hemangioma"
    telangiectasia = "telangiectasia"
    rosacea = "rosacea"
    rhinophyma = "rhinophyma"
    perioral_dermatitis = "perioral_dermatitis"
    decorative_tattoo = "decorative_tattoo"
    traumatic_tattoo = "traumatic_tattoo"
    hair_loss = "hair_loss"
    striae = "striae"
    diabetic_ulcer = "diabetic_ulcer"
    chronic_wound = "chronic_wound"
    warts = "warts"
    psoriasis = "psoriasis"
    pyogenic_granuloma = "pyogenic_granuloma"
    glomangioma = "glomangioma"
    granuloma_faciale = "granuloma_faciale"
    pilonidal_cyst = "pilonidal_cyst"
    acne_keloidalis_nuchae = "acne_keloidalis_nuchae"
    pseudofolliculitis = "pseudofolliculitis"
    hidradenitis_suppurativa = "hidradenitis_suppurativa"
    squamous_cell_carcinoma_in_situ = "squamous_cell_carcinoma_in_situ"


class Cause(StrEnum):
    acne = "acne"
    burn = "burn"
    surgery = "surgery"
    trauma = "trauma"
    congenital = "congenital"
    sun_damage = "sun_damage"
    aging = "aging"
    disease = "disease"
    decorative = "decorative"
    unknown = "unknown"


class Severity(StrEnum):
    mild = "mild"
    moderate = "moderate"
    severe = "severe"


class Purpose(StrEnum):
    appearance = "appearance"
    function = "function"
    symptom_relief = "symptom_relief"
    disease_treatment = "disease_treatment"


class Impairment(StrEnum):
    restricted_range_of_motion = "restricted_range_of_motion"
    pain_requiring_analgesics = "pain_requiring_analgesics"
    bleeding = "bleeding"
    ulceration = "ulceration"
    recurrent_infection = "recurrent_infection"
    itching = "itching"
    obstruction = "obstruction"
    vision = "vision"
    breathing = "breathing"
    feeding = "feeding"
    speech = "speech"
    psychological_distress = "psychological_distress"


class TreatmentOutcome(StrEnum):
    failed = "failed"
    partial = "partial"
    success = "success"
    contraindicated = "contraindicated"
    not_tolerated = "not_tolerated"


class TreatmentClass(StrEnum):
    """What kind of treatment a prior treatment was, so a policy can count distinct classes."""

    topical_chemotherapy = "topical_chemotherapy"
    topical_immunomodulator = "topical_immunomodulator"
    topical_nsaid = "topical_nsaid"
    curettage = "curettage"
    electrodesiccation = "electrodesiccation"
    cryotherapy = "cryotherapy"
    excision = "excision"
    topical_retinoid = "topical_retinoid"
    topical_antibiotic = "topical_antibiotic"
    oral_antibiotic = "oral_antibiotic"
    isotretinoin = "isotretinoin"
    topical_rosacea_agent = "topical_rosacea_agent"
    topical_corticosteroid = "topical_corticosteroid"
    vitamin_d_analogue = "vitamin_d_analogue"
    topical_calcineurin_inhibitor = "topical_calcineurin_inhibitor"
    coal_tar = "coal_tar"
    anthralin = "anthralin"
    keratolytic = "keratolytic"
    phototherapy = "phototherapy"
    systemic_therapy = "systemic_therapy"
    depigmenting_agent = "depigmenting_agent"
    silicone_sheeting = "silicone_sheeting"
    pressure_therapy = "pressure_therapy"
    intralesional_steroid = "intralesional_steroid"
    hair_growth_agent = "hair_growth_agent"
    chemical_peel = "chemical_peel"
    photodynamic_therapy = "photodynamic_therapy"
    laser = "laser"
    wound_care = "wound_care"
    other = "other"


class UsState(StrEnum):
    """Two-letter postal codes: the states, the District of Columbia and the territories."""

    AL = "AL"
    AK = "AK"
    AZ = "AZ"
    AR = "AR"
    CA = "CA"
    CO = "CO"
    CT = "CT"
    DE = "DE"
    DC = "DC"
    FL = "FL"
    GA = "GA"
    HI = "HI"
    ID = "ID"
    IL = "IL"
    IN = "IN"
    IA = "IA"
    KS = "KS"
    KY = "KY"
    LA = "LA"
    ME = "ME"
    MD = "MD"
    MA = "MA"
    MI = "MI"
    MN = "MN"
    MS = "MS"
    MO = "MO"
    MT = "MT"
    NE = "NE"
    NV = "NV"
    NH = "NH"
    NJ = "NJ"
    NM = "NM"
    NY = "NY"
    NC = "NC"
    ND = "ND"
    OH = "OH"
    OK = "OK"
    OR = "OR"
    PA = "PA"
    RI = "RI"
    SC = "SC"
    SD = "SD"
    TN = "TN"
    TX = "TX"
    UT = "UT"
    VT = "VT"
    VA = "VA"
    WA = "WA"
    WV = "WV"
    WI = "WI"
    WY = "WY"
    PR = "PR"
    GU = "GU"
    VI = "VI"
    AS = "AS"
    MP = "MP"


class DocumentationItem(StrEnum):
    photos = "photos"
    letter_of_medical_necessity = "letter_of_medical_necessity"
    lesion_map = "lesion_map"
    range_of_motion_measurements = "range_of_motion_measurements"
    treatment_plan = "treatment_plan"
    prior_treatment_records = "prior_treatment_records"
    medical_records = "medical_records"
    referral = "referral"
    pathology_report = "pathology_report"


class ProviderType(StrEnum):
    dermatologist = "dermatologist"
    plastic_surgeon = "plastic_surgeon"
    physician = "physician"
    nurse_practitioner = "nurse_practitioner"
    physician_assistant = "physician_assistant"
    registered_nurse = "registered_nurse"
    esthetician = "esthetician"


class Setting(StrEnum):
    office = "office"
    hospital_outpatient = "hospital_outpatient"
    ambulatory_surgery_center = "ambulatory_surgery_center"
    med_spa = "med_spa"


class PriorAuthStatus(StrEnum):
    not_requested = "not_requested"
    pending = "pending"
    approved = "approved"
    denied = "denied"


NonNegativeInt = Annotated[int, Field(ge=0)]


class Payer(Contract):
    policy: str | None = Field(
        default=None, description="Policy pack id, e.g. generic, medicare, aetna."
    )
    plan_type: PlanType | None = None
    network: Network | None = Field(
        default=None, description="Is the treating provider in the plan's network."
    )
    plan_name: str | None = None
    member_id: str | None = None
    plan: str | None = Field(
        default=None,
        description="Plan document id (plans/<id>), e.g. uhc-mmc-2026; absent: the plan's own "
        "exclusions are not checked.",
    )

    @field_validator("plan")
    @classmethod
    def _plan_id(cls, value: str | None) -> str | None:
        if value is not None and not _PLAN_ID.fullmatch(value):
            raise ValueError(
                f"plan {value[:40]!r} is not a plan id: use lower-case letters, digits, - and _ "
                "(e.g. uhc-mmc-2026)"
            )
        return value


_PLAN_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class Patient(Contract):
    name: str | None = None
    age: Annotated[int, Field(ge=0, le=130)] | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    state: UsState | None = Field(
        default=None, description="The member's US state, for state coverage mandates."
    )

    @field_validator("state", mode="before")
    @classmethod
    def _state_upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("birth_date")
    @classmethod
    def _birth_date_not_in_future(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError(f"birth date {value.isoformat()} is in the future")
        return value

    def age_on(self, day: date) -> int | None:
        """The patient's age on `day`: the given age, else computed from the birth date."""
        if self.age is not None:
            return self.age
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


class Procedure(Contract):
    kind: ProcedureKind | None = None
    code: str | None = Field(
        default=None, description="CPT or HCPCS code; validated, never trusted blindly."
    )
    sessions: Annotated[int, Field(ge=1, le=100)] = 1
    site: Site | None = None
    area_cm2: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    depth: Depth | None = None
    device_fda_cleared: bool | None = None
    weeks_given: Annotated[int, Field(ge=0, le=520)] | None = Field(
        default=None, description="Weeks of this therapy already given before this line."
    )
    course_treatments: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None,
        description="Treatments in the current course, those already given and this line's.",
    )
    claim_diagnoses: list[str] | None = Field(
        default=None,
        description="ICD-10-CM codes the claim line carries; absent: condition.diagnoses.",
    )

    @field_validator("claim_diagnoses")
    @classmethod
    def _normalise_claim_diagnoses(cls, value: list[str] | None) -> list[str] | None:
        return [normalise(code) for code in value] if value is not None else None

    @field_validator("code")
    @classmethod
    def _normalise_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip().upper()
        if not code:
            raise ValueError("code is empty; leave it out if there is none")
        return code

    @model_validator(mode="after")
    def _kind_is_known_or_implied(self) -> Procedure:
        if self.kind is None and self.code is None:
            raise ValueError("a procedure needs a kind, a code or both")
        if self.kind is None and self.resolved_kind is None:
            raise ValueError(
                f"code {self.code} does not name one procedure kind on its own; "
                "add `kind` (one of: " + ", ".join(k.value for k in ProcedureKind) + ")"
            )
        return self

    @property
    def resolved_kind(self) -> ProcedureKind | None:
        """The kind given, else the one an unambiguous code stands for."""
        if self.kind is not None:
            return self.kind
        implied = kind_for_code(self.code) if self.code else None
        return ProcedureKind(implied) if implied is not None else None


class Condition(Contract):
    diagnoses: list[str] | None = Field(
        default=None, description="ICD-10-CM codes; [] means none, absent means unknown."
    )
    kind: ConditionKind | None = Field(
        default=None, description="Inferred from the diagnoses when absent."
    )
    cause: Cause | None = None
    severity: Severity | None = None
    lesion_count: NonNegativeInt | None = None
    months_since_onset: NonNegativeInt | None = None
    days_since_injury: Annotated[int, Field(ge=0, le=36500)] | None = Field(
        default=None, description="Days from the injury (or burn) to the planned procedure."
    )
    body_surface_percent: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = Field(
        default=None, description="Share of the body's skin the condition covers, in percent."
    )
    recurrent: bool | None = Field(
        default=None, description="The condition has come back after treatment."
    )
    individual_treatment_impractical: bool | None = Field(
        default=None,
        description="The clinician judges the lesions too many or too spread out to remove one "
        "by one (cryotherapy, curettage, excision).",
    )
    hyperkeratotic: bool | None = Field(
        default=None, description="The lesions are hyperkeratotic (thick and scaly)."
    )
    atrophic_scars: bool | None = Field(
        default=None,
        description="The scars are depressed under oblique light: ice-pick pits that cast a "
        "shadow, rolling undulations or crater-like depressions with sharp edges.",
    )

    @field_validator("diagnoses")
    @classmethod
    def _normalise_diagnoses(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        # One spelling for every consumer: `l718` and `L71.8` are the same diagnosis.
        return [normalise(code) for code in value]


class PriorTreatment(Contract):
    name: str = Field(min_length=1, description="e.g. fluorouracil_topical, cryotherapy")
    outcome: TreatmentOutcome | None = None
    months: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    kind: TreatmentClass | None = Field(
        default=None, description="The treatment's class; inferred from a canonical name."
    )

    @model_validator(mode="after")
    def _kind_fits_name(self) -> PriorTreatment:
        implied = class_for_treatment(self.name)
        if self.kind is not None and implied is not None and self.kind.value != implied:
            raise ValueError(
                f"prior treatment {self.name} is of kind {implied}, not {self.kind.value}; "
                "leave `kind` out for a canonical name"
            )
        return self

    @property
    def resolved_kind(self) -> TreatmentClass | None:
        """The class given, else the one a canonical name stands for; None is unknown."""
        if self.kind is not None:
            return self.kind
        implied = class_for_treatment(self.name)
        return TreatmentClass(implied) if implied is not None else None


class Provider(Contract):
    type: ProviderType | None = None
    setting: Setting | None = None
    npi: str | None = None
    name: str | None = None
    credentials: str | None = None
    organization: str | None = None
    tin: str | None = None
    address: str | None = None
    state: str | None = None
    phone: str | None = None

    @field_validator("npi")
    @classmethod
    def _npi_checks(cls, value: str | None) -> str | None:
        if value is None:
            return None
        npi = value.strip()
        if not npi_is_valid(npi):
            raise ValueError(
                f"NPI {npi!r} is not valid: it must be 10 digits whose check digit passes "
                "the Luhn test with the 80840 prefix"
            )
        return npi


class PriorAuthorization(Contract):
    status: PriorAuthStatus | None = None
    reference: str | None = None


class Case(Contract):
    id: str | None = None
    payer: Payer | None = None
    patient: Patient | None = None
    procedures: list[Procedure] = Field(min_length=1, max_length=MAX_PROCEDURES)
    condition: Condition | None = None
    purpose: Purpose | None = None
    impairment: list[Impairment] | None = Field(
        default=None, description="Documented functional impairment; [] = none."
    )
    impairment_significant: bool | None = Field(
        default=None,
        description="The clinician judges the documented impairment significant.",
    )
    improvement_expected: bool | None = Field(
        default=None,
        description="The procedure can reasonably be expected to improve the impairment.",
    )
    prior_treatments: list[PriorTreatment] | None = Field(
        default=None, description="First-line therapy already tried; [] = none."
    )
    documentation: list[DocumentationItem] | None = Field(
        default=None, description="What is on file today; [] = nothing."
    )
    provider: Provider | None = None
    prior_authorization: PriorAuthorization | None = None
