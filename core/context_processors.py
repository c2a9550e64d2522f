from django.conf import settings


def center(request) -> dict:
    """The center's name and contact for the header and footer of every page."""
    return {
        "CENTER": {
            "name": settings.CENTER_NAME,
            "address": settings.CENTER_ADDRESS,
            "phone": settings.CENTER_PHONE,
            "email": settings.CENTER_EMAIL,
            "hours": settings.CENTER_HOURS,
            "city_name": settings.CITY_NAME,
            "city_url": settings.CITY_URL,
        }
    }
