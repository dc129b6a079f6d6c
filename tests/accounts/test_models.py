import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import CustomerEmail, User
from tests.factories import CustomerEmailFactory, CustomerFactory, TechFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_email_is_stored_lower_case_and_unique_regardless_of_case():
    user = User.objects.create_user("Mixed.Case@Example.COM", "pw", full_name="Mixed")

    assert user.email == "mixed.case@example.com"
    with pytest.raises(IntegrityError):
        User.objects.create(email="MIXED.case@example.com", full_name="Copy")


def test_roles_follow_kind_trainee_flag_and_superuser():
    customer = UserFactory()
    tech = TechFactory()
    trainee = TechFactory(replies_need_approval=True)
    admin = TechFactory(is_superuser=True)

    assert customer.is_customer and not customer.is_tech and not customer.is_staff
    assert tech.is_tech and not tech.is_trainee and not tech.is_staff
    assert trainee.is_trainee
    assert admin.is_admin and admin.is_staff


def test_only_staff_can_be_trainees():
    customer = UserFactory.build(replies_need_approval=True)

    with pytest.raises(ValidationError) as error:
        customer.full_clean(exclude=["password"])
    assert "replies_need_approval" in error.value.message_dict


def test_unknown_time_zone_is_rejected():
    user = UserFactory.build(time_zone="Mars/Olympus")

    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])
    assert "time_zone" in error.value.message_dict


def test_customer_email_belongs_to_one_customer_regardless_of_case():
    CustomerEmailFactory(email="owner@example.org")

    with pytest.raises(IntegrityError):
        CustomerEmailFactory(email="OWNER@example.org", customer=CustomerFactory())


def test_customer_has_at_most_one_primary_email():
    customer = CustomerFactory()
    CustomerEmail.objects.create(customer=customer, email="a@example.org", is_primary=True)

    with pytest.raises(IntegrityError):
        CustomerEmail.objects.create(customer=customer, email="b@example.org", is_primary=True)
