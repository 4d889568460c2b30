//! `db update`: fetching sources (directory, archive URL, git URL) and replacing the index.
