package org.callhs.core.testing;

/** The two databases every storage-touching suite runs on. */
public enum Backend { SQLITE, POSTGRES }
