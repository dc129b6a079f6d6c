from django.shortcuts import render

from accounts.access import reports_required


@reports_required
def index(request):
    return render(request, "reports/index.html")
