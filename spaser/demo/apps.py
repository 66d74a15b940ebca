from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "spaser.demo"
    label = "demo"
