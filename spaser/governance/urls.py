from .views import actions, committees, downloads, meetings

app_name = "governance"
urlpatterns = [*committees.urlpatterns, *meetings.urlpatterns, *actions.urlpatterns, *downloads.urlpatterns]
