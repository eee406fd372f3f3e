package org.callhs.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.callhs.core.config.HomeserverConfig.LoggingConfig;
import org.slf4j.LoggerFactory;

/** Applies {@code logging.level} and {@code logging.format} (text or one JSON object per line) to Logback. */
final class Logging {
    private Logging() {}

    static void configure(LoggingConfig config) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger app = context.getLogger("org.callhs");
        app.setLevel(Level.toLevel(config.level(), Level.INFO));
        if ("json".equals(config.format())) {
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.detachAndStopAllAppenders();
            JsonEncoder encoder = new JsonEncoder();
            encoder.setContext(context);
            encoder.start();
            ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
            appender.setContext(context);
            appender.setName("json");
            appender.setEncoder(encoder);
            appender.start();
            root.addAppender(appender);
        }
    }

    static void flush() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
}
