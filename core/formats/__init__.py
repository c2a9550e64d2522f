"""The portal's own date and time formats (settings.FORMAT_MODULE_PATH), where they differ from
Django's; everything not set here is Django's."""
