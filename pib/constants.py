from django.db import models


class Gender(models.TextChoices):
    FEMALE = "vrouw", "Vrouw"
    MALE = "man", "Man"
    UNKNOWN = "onbekend", "Onbekend"


class Law(models.TextChoices):
    WI2007 = "Wi2007", "Wet inburgering 2007"
    WI2013 = "Wi2013", "Wet inburgering 2013"
    WI2021 = "Wi2021", "Wet inburgering 2021"


class ObligationStatus(models.TextChoices):
    OBLIGED = "inburgeringsplichtig", "Inburgeringsplichtig"
    MET = "voldaan", "Voldaan"
    EXEMPTED = "ontheffing", "Ontheffing"
    RELEASED = "vrijstelling", "Vrijstelling"
    ENDED = "beeindigd", "Beëindigd"


class ExamComponent(models.TextChoices):
    # Order is the order of the manual's exam table (chapter 4); the letter has its own order
    # (letters.content.EXAM_NAMES).
    KNM = "KNM", "KNM (Kennis Nederlandse Maatschappij)"
    READING = "Lezen", "Lezen"
    LISTENING = "Luisteren", "Luisteren"
    WRITING = "Schrijven", "Schrijven"
    SPEAKING = "Spreken", "Spreken"
    ONA = "ONA", "ONA (Oriëntatie op de Nederlandse Arbeidsmarkt)"


class AttemptResult(models.TextChoices):
    PASSED = "geslaagd", "Geslaagd"
    FAILED = "niet_geslaagd", "Niet geslaagd"


class ExamStatus(models.TextChoices):
    """Derived, never stored: see Exam.status."""

    PASSED = "geslaagd", "Geslaagd"
    FAILED = "niet_geslaagd", "Niet geslaagd"
    TO_DO = "nog_te_doen", "Nog te doen"
    EXEMPTED = "vrijgesteld", "Vrijgesteld"


class Course(models.TextChoices):
    INTEGRATION = "inburgering", "Inburgering"
    LITERACY = "alfabetisering", "Alfabetisering"


class LoanRequestStatus(models.TextChoices):
    GRANTED = "toegekend", "Toegekend"
    REJECTED = "afgewezen", "Afgewezen"


class InvoiceStatus(models.TextChoices):
    PAID = "betaald", "Betaald"
    REJECTED = "afgewezen", "Afgewezen"


class Role(models.TextChoices):
    """The manual's eight account roles (chapter 2), and the municipality's Mijn DUO-beheerder, who
    creates colleagues' accounts and grants them those eight roles for that municipality."""

    VIEW_2007 = "wi2007", "Raadplegen gegevens 2007"
    VIEW_2013 = "wi2013", "Raadplegen gegevens 2013"
    MUTATE_2013 = "wi2013mut", "Raadplegen en muteren gegevens 2013"
    VIEW_2021 = "wi2021", "Raadplegen gegevens 2021"
    MUTATE_2021 = "wi2021mut", "Raadplegen en muteren gegevens 2021"
    ELIP_PERSONS = "elip_personen", "Raadplegen ELIP personen"
    ELIP_LETTER = "elip_brief", "Beheren ELIP brief"
    ELIP_SIGNALS = "elip_signalen", "Raadplegen en muteren ELIP signalen"
    MIJN_DUO_ADMIN = "mijnduo_beheerder", "Mijn DUO-beheerder"


# The route facts on the person (pib/route_facts.py): a cache of the exam rows.
COMPONENT_COUNT = len(ExamComponent.values)
REQUIRED_ATTEMPTS = 4  # attempts per open component for the ontheffingsroute (DOMAIN.md)
ROUTE_FACT_FIELDS = ("route_open_components", "route_min_attempts")
