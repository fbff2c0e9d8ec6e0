"""Cognito's error codes, one small class each, raised anywhere and turned into
AWS JSON (`{"__type", "message"}` + `x-amzn-ErrorType`) by the protocol edge.

    CognitoError                       base: code = class name, HTTP 400
    ├── InvalidParameterException      validation failures, bad input
    ├── NotAuthorizedException         wrong password, bad token, bad secret
    ├── ResourceNotFoundException      unknown pool / client / group
    ├── UserNotFoundException, UsernameExistsException, UserNotConfirmedException ...
    ├── UnknownOperationException      X-Amz-Target names no Cognito action
    ├── UnsupportedOperationException  a real action this emulator does not do yet
    ├── ResourceConflictException, InvalidIdentityPoolConfigurationException,
    │   DeveloperUserAlreadyRegisteredException, ExternalServiceException
    │                                  identity pools (cognito-identity) only
    └── InternalErrorException         HTTP 500; only for bugs, never for bad input

Every name comes from botocore's cognito-idp or cognito-identity service model, so
boto3's `client.exceptions.<Name>` catches it; both services share the names they
have in common (InvalidParameterException, NotAuthorizedException, ...).
"""

from __future__ import annotations


class CognitoError(Exception):
    status = 400
    default_message = ""

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return type(self).__name__


class InvalidParameterException(CognitoError):
    default_message = "Invalid parameter."


class NotAuthorizedException(CognitoError):
    default_message = "Not authorized."


class ResourceNotFoundException(CognitoError):
    default_message = "Resource not found."


class UserNotFoundException(CognitoError):
    default_message = "User does not exist."


class UsernameExistsException(CognitoError):
    default_message = "User account already exists"


class UserNotConfirmedException(CognitoError):
    default_message = "User is not confirmed."


class InvalidPasswordException(CognitoError):
    default_message = "Password does not conform to policy"


class PasswordResetRequiredException(CognitoError):
    default_message = "Password reset required for the user"


class CodeMismatchException(CognitoError):
    default_message = "Invalid verification code provided, please try again."


class ExpiredCodeException(CognitoError):
    default_message = "Invalid code provided, please request a code again."


class AliasExistsException(CognitoError):
    default_message = "An account with the email already exists."


class GroupExistsException(CognitoError):
    default_message = "A group with the name already exists."


class LimitExceededException(CognitoError):
    default_message = "Attempt limit exceeded, please try after some time."


class TooManyRequestsException(CognitoError):
    default_message = "Too many requests."


class UnsupportedTokenTypeException(CognitoError):
    default_message = "Unsupported token type."


class UnauthorizedException(CognitoError):
    default_message = "Unauthorized."


class UnsupportedOperationException(CognitoError):
    default_message = "Unsupported operation."


class UnsupportedUserStateException(CognitoError):
    default_message = "Unsupported user state."


class InvalidUserPoolConfigurationException(CognitoError):
    default_message = "Invalid user pool configuration."


class InvalidOAuthFlowException(CognitoError):
    default_message = "Invalid OAuth flow."


class ScopeDoesNotExistException(CognitoError):
    default_message = "Scope does not exist."


class UnknownOperationException(CognitoError):
    default_message = "Unknown operation."


class EnableSoftwareTokenMFAException(CognitoError):
    default_message = "Code mismatch and fail enable Software Token MFA"


class SoftwareTokenMFANotFoundException(CognitoError):
    default_message = "Software Token MFA mfa not found for the user."


class MFAMethodNotFoundException(CognitoError):
    default_message = "No MFA method found for the user."


class ResourceConflictException(CognitoError):
    default_message = "Resource conflict."


class InvalidIdentityPoolConfigurationException(CognitoError):
    default_message = "Invalid identity pool configuration. Check assigned IAM roles for this pool."


class DeveloperUserAlreadyRegisteredException(CognitoError):
    default_message = "Developer user is already registered with a different identity."


class ExternalServiceException(CognitoError):
    default_message = "An exception thrown when a dependent service such as Facebook or Twitter is not responding."


class PreconditionNotMetException(CognitoError):
    default_message = "A precondition is not met."


class FeatureUnavailableInTierException(CognitoError):
    default_message = "This feature is not available in the user pool's tier."


class DeviceKeyExistsException(CognitoError):
    default_message = "Device key already exists."


class RefreshTokenReuseException(CognitoError):
    default_message = "Refresh token has been rotated out."


class InternalErrorException(CognitoError):
    status = 500
    default_message = "Internal error."


class UserLambdaValidationException(CognitoError):
    """A trigger's function raised: "<Trigger> failed with error <message>." """

    default_message = "Lambda validation failed."


class InvalidLambdaResponseException(CognitoError):
    default_message = "Invalid lambda response."


class UnexpectedLambdaException(CognitoError):
    default_message = "Unexpected error when invoking lambda."


class UserPoolAddOnNotEnabledException(CognitoError):
    default_message = "User pool add-on is not enabled."


class DuplicateProviderException(CognitoError):
    default_message = "A provider with this name or identifier already exists in the user pool."


class UnsupportedIdentityProviderException(CognitoError):
    default_message = "The identity provider is not supported."
