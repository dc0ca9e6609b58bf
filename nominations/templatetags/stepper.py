"""{% stepper app %}: the process stepper of an application, on every page that shows one."""
from django import template

from nominations.selectors.steps import application_steps

register = template.Library()


@register.inclusion_tag("_partials/stepper.html", takes_context=True)
def stepper(context, app):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"steps": application_steps(app, user=user), "app": app}
