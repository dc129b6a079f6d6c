from django.urls import path

from responses import views

app_name = "responses"

urlpatterns = [
    path("picker/<int:number>/", views.picker, name="picker"),
    path("use/<int:number>/<int:response_id>/", views.use, name="use"),
]
