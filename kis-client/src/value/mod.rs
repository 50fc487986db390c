//! Typed values: how KIS's all-string wire values are read and written back.
