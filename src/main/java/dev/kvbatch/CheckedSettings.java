package dev.kvbatch;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the Spring sources of kvbatch's own contexts (the application and the staging
 * context): their settings are checked by {@link SettingsCheck} before the context
 * starts. Contexts of other sources (tests binding one properties record) are not.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CheckedSettings {

}
