"""A shared Hypothesis strategy: states reached by random walks within a model's bounds."""

from typing import Any

from hypothesis import strategies as st


def reachable_states(model: Any, max_steps: int) -> st.SearchStrategy[Any]:
    """A state reached from an initial state by up to `max_steps` in-bound steps."""

    @st.composite
    def walk(draw: st.DrawFn) -> Any:
        state = next(iter(model.init_states()))
        for _ in range(draw(st.integers(0, max_steps))):
            options = [t for _, t in model.next_steps(state) if model.within_bounds(t)]
            if not options:
                break
            state = draw(st.sampled_from(options))
        return state

    return walk()
