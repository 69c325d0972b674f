from release.adapters.invoke_tasks import namespace

__all__ = ["namespace"]
