from django.conf import settings


def spaser(request):
    return {"SPASER_DEBUG": settings.DEBUG}
