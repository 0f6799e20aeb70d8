"""Tell the team when a scheduled refresh goes wrong, with Prefect's own notifications.

`configure_notifications(url)` saves a webhook notification block and one automation on the Prefect server
named by PREFECT_API_URL (both created, or updated in place when they exist). The automation fires on every
run of the flow `refresh` tagged `kanaalmonitor` (every deployment of this project: `serve` and
prefect.yaml) that ends Failed (a refused delivery, a broken data rule), Crashed (the run's process died)
or "Editie ontbreekt", and posts a short Dutch message to the URL. A run that publishes what it expected
posts nothing; neither does `kanaalmonitor run`, which has no tag and prints what happened itself.
"""

from __future__ import annotations

import sys
from uuid import UUID

from kanaalmonitor.freshness import MISSING_STATE

BLOCK_NAME = "kanaalmonitor-melding"
AUTOMATION_NAME = "kanaalmonitor-melding"
FLOW_NAME = "refresh"
TAG = "kanaalmonitor"
STATES = ("Failed", "Crashed", MISSING_STATE)
FIRST_LINES = 6

SUBJECT = "Kanaalmonitor {{ flow.name }}/{{ deployment.name if deployment else '-' }}: {{ flow_run.state.name }}"
WHAT = (
    "{% set message = flow_run.state.message or '' %}"
    "{% if flow_run.state.name == 'Crashed' %}"
    "afgebroken: het proces van de run stopte onverwacht; het gepubliceerde warehouse is heel gebleven"
    "{% elif 'DeliveryError' in message %}geweigerd: een levering is afgekeurd; er is niets geladen"
    "{% elif 'CheckFailed' in message %}niet gepubliceerd: het nieuwe warehouse breekt een controleregel"
    "{% elif flow_run.state.name == 'Failed' %}mislukt; het gepubliceerde warehouse is ongewijzigd"
    "{% else %}de verwachte editie ontbreekt; wat wel binnenkwam is geladen{% endif %}"
)


def message_body(ui_url: str) -> str:
    """The Jinja template of the notification: deployment, run, what happened, the first problems, the link."""
    return "\n".join([
        "Deployment: {{ flow.name }}/{{ deployment.name if deployment else '-' }}",
        "Run: {{ flow_run.name }}",
        f"Wat er gebeurde: {WHAT}",
        "Eerste problemen:",
        "{% for line in (flow_run.state.message or '').splitlines()[:" + str(FIRST_LINES) + "] %}"
        "{{ line }}\n{% endfor %}"
        f"Bekijk de run: {ui_url}/runs/flow-run/{{{{ flow_run.id }}}}",
    ])


def save_webhook_block(url: str) -> UUID:
    """Create or update the webhook block that posts {"subject": ..., "text": ...} as JSON to url."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    block = CustomWebhookNotificationBlock(name=BLOCK_NAME, url=url, method="POST",
                                           json_data={"subject": "{{subject}}", "text": "{{body}}"})
    return block.save(BLOCK_NAME, overwrite=True)


def configure_notifications(url: str):
    """Point the project's notifications at url on the current Prefect server; returns the automation."""
    from prefect.automations import Automation
    from prefect.events.actions import SendNotification
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.settings import get_current_settings

    ui_url = (get_current_settings().ui_url or "").rstrip("/")
    fields = dict(
        name=AUTOMATION_NAME,
        description="Meldt een mislukte, geweigerde of afgebroken verversing en een ontbrekende editie.",
        enabled=True,
        trigger=EventTrigger(
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related=[{"prefect.resource.role": "flow", "prefect.resource.name": FLOW_NAME},
                           {"prefect.resource.role": "tag", "prefect.resource.id": f"prefect.tag.{TAG}"}],
            expect={f"prefect.flow-run.{state}" for state in STATES},
            posture=Posture.Reactive, threshold=1, within=0),
        actions=[SendNotification(block_document_id=save_webhook_block(url), subject=SUBJECT,
                                  body=message_body(ui_url))],
    )
    try:
        automation = Automation.read(name=AUTOMATION_NAME)
    except ValueError:
        return Automation(**fields).create()
    for key, value in fields.items():
        setattr(automation, key, value)
    automation.update()
    return automation


def remove_notifications() -> bool:
    """Delete the automation from the current Prefect server; False if there was none."""
    from prefect.automations import Automation

    try:
        return Automation.read(name=AUTOMATION_NAME).delete()
    except ValueError:
        return False


def main(argv: list[str]) -> int:
    """python -m flows.notify URL: the same notifications without `serve`, e.g. for prefect.yaml's deployment."""
    from kanaalmonitor.config import NO_SERVER, prefect_api_url
    from kanaalmonitor.errors import ExitCode

    if len(argv) != 1:
        print("usage: python -m flows.notify WEBHOOK_URL", file=sys.stderr)
        return ExitCode.USAGE
    if not prefect_api_url():
        print(NO_SERVER.format(command="notify"), file=sys.stderr)
        return ExitCode.NO_SERVER
    automation = configure_notifications(argv[0])
    print(f"Automation {automation.name!r} posts to {argv[0]} when a run of a kanaalmonitor deployment fails, "
          f"crashes or misses its edition.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
