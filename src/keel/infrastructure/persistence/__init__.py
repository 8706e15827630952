"""PostgreSQL adapters of the application's persistence ports: the repositories and the unit of work.

Records (``keel.infrastructure.database.models``) describe the tables; the ``*_mapper`` modules turn rows into
domain entities and back, explicitly; repositories run Core statements on the unit of work's session and translate
database errors (``error_translation``) into the domain's conflicts or ``DependencyUnavailable``.
"""

from keel.infrastructure.persistence.api_client_repository import SqlAlchemyApiClientRepository
from keel.infrastructure.persistence.email_delivery_repository import SqlAlchemyEmailDeliveryRepository
from keel.infrastructure.persistence.one_time_token_repository import SqlAlchemyOneTimeTokenRepository
from keel.infrastructure.persistence.refresh_token_repository import SqlAlchemyRefreshTokenRepository
from keel.infrastructure.persistence.tenant_repository import SqlAlchemyTenantRepository
from keel.infrastructure.persistence.unit_of_work import SqlAlchemyUnitOfWork, UserRepositoryFactory
from keel.infrastructure.persistence.user_repository import SqlAlchemyUserRepository

__all__ = [
    "SqlAlchemyApiClientRepository",
    "SqlAlchemyEmailDeliveryRepository",
    "SqlAlchemyOneTimeTokenRepository",
    "SqlAlchemyRefreshTokenRepository",
    "SqlAlchemyTenantRepository",
    "SqlAlchemyUnitOfWork",
    "SqlAlchemyUserRepository",
    "UserRepositoryFactory",
]
