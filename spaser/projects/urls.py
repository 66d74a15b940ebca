from .views import advice, library, projects

app_name = "projects"
urlpatterns = [*advice.urlpatterns, *library.urlpatterns, *projects.urlpatterns]
