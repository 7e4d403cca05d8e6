from django.db import models


class Hit(models.Model):
    at = models.DateTimeField(auto_now_add=True)
