"""Four eyes for the ELIP criteria (issue 15): a version is a draft (concept) until a second DUO admin
approves it; who drafted and who approved, and a log of every step. The versions that exist already
(the two real ones, and any an admin added) were in force before this rule: they become approved."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("elip", "0006_selectionrun_dispatch_required"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Existing rows get "goedgekeurd"; new rows default to "concept" (the AlterField below).
        migrations.AddField(
            model_name="policyversion",
            name="status",
            field=models.CharField(
                choices=[("concept", "Concept"), ("goedgekeurd", "Goedgekeurd")],
                default="goedgekeurd",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="policyversion",
            name="status",
            field=models.CharField(
                choices=[("concept", "Concept"), ("goedgekeurd", "Goedgekeurd")],
                default="concept",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="drafted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="opgesteld door",
            ),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="drafted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="opgesteld op"),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="goedgekeurd door",
            ),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="goedgekeurd op"),
        ),
        migrations.AlterModelOptions(
            name="policyversion",
            options={
                "ordering": ["-valid_from"],
                "permissions": [("approve_policyversion", "Mag ELIP-criteria goedkeuren (tweede beheerder)")],
                "verbose_name": "ELIP-criteria (versie)",
                "verbose_name_plural": "ELIP-criteria (versies)",
            },
        ),
        migrations.AddConstraint(
            model_name="policyversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("approved_by__isnull", True),
                    ("drafted_by__isnull", True),
                    models.Q(("approved_by", models.F("drafted_by")), _negated=True),
                    _connector="OR",
                ),  # fmt: skip
                name="policy_approver_not_drafter",
            ),
        ),
        migrations.AddConstraint(
            model_name="policyversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "goedgekeurd"),
                    models.Q(("approved_at__isnull", True), ("approved_by__isnull", True), ("status", "concept")),
                    _connector="OR",
                ),  # fmt: skip
                name="policy_draft_not_approved",
            ),
        ),
        migrations.CreateModel(
            name="PolicyVersionEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="tijdstip")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("aangemaakt", "Concept aangemaakt"),
                            ("gewijzigd", "Concept gewijzigd"),
                            ("goedgekeurd", "Goedgekeurd"),
                            ("verwijderd", "Concept verwijderd"),
                        ],
                        max_length=12,
                        verbose_name="actie",
                    ),
                ),  # fmt: skip
                (
                    "description",
                    models.CharField(
                        help_text="De versie zoals ze op dat moment luidde.", max_length=300, verbose_name="versie"
                    ),
                ),
                (
                    "changes",
                    models.JSONField(
                        blank=True, default=dict, help_text="Per veld: [oud, nieuw].", verbose_name="wijzigingen"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="door",
                    ),
                ),  # fmt: skip
                (
                    "version",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="events",
                        to="elip.policyversion",
                        verbose_name="criteriaversie",
                    ),
                ),  # fmt: skip
            ],
            options={
                "verbose_name": "logregel ELIP-criteria",
                "verbose_name_plural": "logboek ELIP-criteria",
                "ordering": ["-at", "-pk"],
            },
        ),
    ]
