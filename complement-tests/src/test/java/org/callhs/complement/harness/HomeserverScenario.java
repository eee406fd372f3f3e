package org.callhs.complement.harness;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Marks a scenario class: it runs once per {@link Backend} (SQLite, PostgreSQL), and the tail of
 * every homeserver log involved is attached to failures.
 *
 * <p>The class receives the backend as its constructor argument or a {@code @Parameter} field, and
 * usually deploys in a static {@code @BeforeParameterizedClassInvocation} method:
 * <pre>{@code
 * @HomeserverScenario
 * class FooScenario {
 *     static Deployment deployment;
 *     @BeforeParameterizedClassInvocation
 *     static void deploy(Backend backend) { deployment = Deployment.start(backend, FooScenario.class); }
 *     @AfterParameterizedClassInvocation
 *     static void tearDown() { Deployment.closeQuietly(deployment); }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ParameterizedClass(name = "[{0}]")
@EnumSource(Backend.class)
@ExtendWith(ServerLogsOnFailure.class)
public @interface HomeserverScenario {}
