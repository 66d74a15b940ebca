from django.contrib import admin

admin.site.site_header = "Administration de Spaser"
admin.site.site_title = "Spaser"
admin.site.index_title = "Administration"
