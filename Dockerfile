# zoo-review as a Docker container action (action.yml: `runs.image: Dockerfile`).
#
# Base image: the official `python:3.12-slim` (Python 3.12.13 on Debian trixie), pinned by the
# digest of its multi-platform image index, so every build starts from the same bytes whatever
# the tag points to later. The digest is the one Docker's official-images program published for
# `python:3.12-slim` in docker-library/repo-info, file repos/python/remote/3.12-slim.md
# (commit 2986dca3a80cb11b70fc4599941096374ea9e509, image built 2026-08-05).
# To update it, take the new digest from that file, or from
#     docker buildx imagetools inspect python:3.12-slim      (the "Digest:" line)
# and replace it in BOTH `FROM` lines; or let Dependabot open the pull requests with
#     .github/dependabot.yml:  - package-ecosystem: docker
#                                directory: /
#                                schedule: {interval: weekly}
# (it keeps the tag, bumps the digest, and updates both stages together).

# ---- build stage: turn the source into a wheel -------------------------------------------
FROM python:3.12-slim@sha256:229a2c5bfa27522db7815ea81f9bed70af17ccb9de9fc7ad142b1877b5830d36 AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# The build backend comes from a hashed lock too, and the wheel is built without build
# isolation, so pip downloads nothing that is not pinned by hash.
COPY requirements/build.lock /src/requirements/build.lock
RUN pip install --require-hashes --no-deps -r /src/requirements/build.lock

COPY pyproject.toml README.md /src/
COPY bot/ /src/bot/
COPY schemas/ /src/schemas/
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels /src

# ---- runtime stage ------------------------------------------------------------------------
FROM python:3.12-slim@sha256:229a2c5bfa27522db7815ea81f9bed70af17ccb9de9fc7ad142b1877b5830d36

# For the build steps and any shell in the image: no .pyc files written at run time, unbuffered
# output, no pip cache in the image. (The entrypoint's `-I` ignores PYTHON* variables; it only
# imports from site-packages, whose .pyc files pip compiled at install, so a run writes nothing,
# and nothing at all into the workspace, which the runner mounts as the working directory.)
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Dependencies first (a layer that changes only with the lock), every file checked against its
# hash; regenerate the lock with `sh requirements/compile.sh`.
COPY requirements/action.lock /tmp/action.lock
RUN pip install --require-hashes --no-deps -r /tmp/action.lock \
    && rm /tmp/action.lock

# Then zoo-review itself, without dependencies: everything it needs is in the lock.
COPY --from=build /wheels/ /tmp/wheels/
RUN pip install --no-deps /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels

# The container runs as the image's default user, root, on purpose. GitHub's documentation
# ("Dockerfile support for GitHub Actions", USER) says Docker actions must run as the default
# Docker user (root): with a USER instruction the action cannot access GITHUB_WORKSPACE, and the
# files behind GITHUB_OUTPUT and GITHUB_STEP_SUMMARY that the runner mounts are owned by the
# runner's user, not by ours. The container is the runner's throwaway sandbox, nothing from the
# pull request is executed in it, and its only credential is the job's own GITHUB_TOKEN.
# Nor is there a WORKDIR: the runner mounts the workspace and makes it the working directory.
#
# Exec form, so signals reach Python directly. `-I` (isolated mode) keeps the current folder,
# which the runner sets to the workspace, off sys.path, and ignores PYTHON* variables and the user
# site folder, so nothing in the workspace or the environment can replace a module of the bot.
ENTRYPOINT ["python", "-I", "-m", "bot.action"]
