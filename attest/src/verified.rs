//! [`Verified<T>`]: proof that a verification succeeded.

use std::ops::Deref;

/// A value that passed verification (a signature, a threshold, a policy).
///
/// Only this crate can construct one, so a function that takes `Verified<T>` cannot be handed
/// unverified data by mistake. It dereferences to the value; `into_inner` gives it up when the
/// proof is no longer needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<T> {
    value: T,
}

impl<T> Verified<T> {
    /// Wraps a value whose verification just succeeded (crate-internal by design).
    pub(crate) fn new(value: T) -> Self {
        Verified { value }
    }

    /// The verified value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// Gives up the proof and returns the value.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Derives a value from a verified one (e.g. parse verified bytes); the result stays verified
    /// because it was computed from verified data only.
    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> Verified<U> {
        Verified {
            value: f(self.value),
        }
    }

    /// Like [`Verified::map`], for a fallible derivation.
    pub(crate) fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Verified<U>, E> {
        Ok(Verified {
            value: f(self.value)?,
        })
    }
}

impl<T> Deref for Verified<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}
