import factory
from factory.django import DjangoModelFactory

from accounts.models import Customer, CustomerEmail, User
from departments.models import Category, Department, Membership, WebForm

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    kind = User.Kind.CUSTOMER

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        return model_class.objects.create_user(*args, password=password, **kwargs)


class TechFactory(UserFactory):
    email = factory.Sequence(lambda n: f"tech{n}@example.com")
    kind = User.Kind.STAFF


class AdminFactory(TechFactory):
    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    is_superuser = True


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(TechFactory)
    department = factory.SubFactory(DepartmentFactory)


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")


class CustomerEmailFactory(DjangoModelFactory):
    class Meta:
        model = CustomerEmail

    customer = factory.SubFactory(CustomerFactory)
    email = factory.Sequence(lambda n: f"customer{n}@example.org")
    is_primary = True


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Topic {n}")
    department = factory.SubFactory(DepartmentFactory)


class WebFormFactory(DjangoModelFactory):
    class Meta:
        model = WebForm

    slug = factory.Sequence(lambda n: f"form-{n}")
    title = factory.Sequence(lambda n: f"Form {n}")
    default_department = factory.SubFactory(DepartmentFactory)
